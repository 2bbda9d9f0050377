# The same bot on Lex V2, with a code hook permission for lexv2.amazonaws.com and a Lex V2 caller policy.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_iam_role" "bot" {
  name = "order-flowers-bot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lexv2models_bot" "order_flowers" {
  name                        = "OrderFlowers"
  role_arn                    = aws_iam_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

resource "aws_iam_role" "hook" {
  name = "order-hook"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lambda_function" "hook" {
  function_name = "order-hook"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "hook.zip"
  role          = aws_iam_role.hook.arn
}

resource "aws_lambda_permission" "lex" {
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.hook.function_name
  principal      = "lexv2.amazonaws.com"
  source_account = data.aws_caller_identity.current.account_id
  source_arn     = "arn:aws:lex:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:bot-alias/${aws_lexv2models_bot.order_flowers.id}/*"
}

resource "aws_iam_policy" "caller" {
  name = "talk-to-order-flowers"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["lex:RecognizeText", "lex:RecognizeUtterance"]
      Resource = "arn:aws:lex:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:bot-alias/${aws_lexv2models_bot.order_flowers.id}/*"
    }]
  })
}
