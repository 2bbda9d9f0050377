# Lex V2 bots using the Lex V2 bots service-linked role, by literal name and by reference.
data "aws_caller_identity" "current" {}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_OrderBot"
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

resource "aws_iam_service_linked_role" "support" {
  aws_service_name = "lexv2.amazonaws.com"
  custom_suffix    = "SupportBot"
}

resource "aws_lexv2models_bot" "support" {
  name                        = "SupportBot"
  role_arn                    = aws_iam_service_linked_role.support.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}
