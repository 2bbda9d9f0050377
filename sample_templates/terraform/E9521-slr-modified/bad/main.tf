# Policies attached to Lex service-linked roles by reference and by name (E9521).
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_iam_service_linked_role" "bot" {
  aws_service_name = "lexv2.amazonaws.com"
  custom_suffix    = "OrderBot"
}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = aws_iam_service_linked_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

resource "aws_iam_role_policy" "bot_logs" {
  role = aws_iam_service_linked_role.bot.name # expect: E9521 aws_iam_service_linked_role.bot.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:/lex/orders:*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "channels_kms" {
  role       = "AWSServiceRoleForLexV2Channels_web" # expect: E9521 "AWSServiceRoleForLexV2Channels_web"
  policy_arn = "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"
}
