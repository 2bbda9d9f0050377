# lexiam-scan: --account-id 444455556666
# A bot whose role is in another account than the one the configuration deploys to (E9523): iam:PassRole
# cannot pass it. The sample is scanned with --account-id 444455556666.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = "arn:aws:iam::111122223333:role/OrderBotRole" # expect: E9523 "arn:aws:iam::111122223333:role/OrderBotRole"
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
