# Lex V2 bots given the Lex V1 service-linked role and another service's service-linked role (E9522).
data "aws_caller_identity" "current" {}

resource "aws_lexv2models_bot" "legacy" {
  name                        = "LegacyBot"
  role_arn                    = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/lex.amazonaws.com/AWSServiceRoleForLexBots" # expect: E9522 "arn:aws:iam::
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

resource "aws_iam_service_linked_role" "connect" {
  aws_service_name = "connect.amazonaws.com"
  custom_suffix    = "contact-center"
}

resource "aws_lexv2models_bot" "contact" {
  name                        = "ContactBot"
  role_arn                    = aws_iam_service_linked_role.connect.arn # expect: E9522 aws_iam_service_linked_role.connect.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}
