# A bot role ARN with a hard-coded account in a configuration that otherwise builds ARNs from the
# deploying account (W9530): it deploys only in that one account.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = "arn:aws:iam::111122223333:role/OrderBotRole" # expect: W9530 "arn:aws:iam::111122223333:role/OrderBotRole"
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

resource "aws_iam_policy" "caller" {
  name = "call-order-bot"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "lex:RecognizeText"
      Resource = "arn:aws:lex:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:bot-alias/${aws_lexv2models_bot.order.id}/*"
    }]
  })
}
