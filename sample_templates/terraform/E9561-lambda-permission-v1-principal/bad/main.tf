# Lambda permissions for the Lex V1 principal beside a Lex V2 bot (E9561).
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

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

resource "aws_iam_role" "bot" {
  name = "order-bot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = aws_iam_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

resource "awscc_lex_bot_alias" "live" {
  bot_id         = aws_lexv2models_bot.order.id
  bot_alias_name = "live"
}

resource "aws_lambda_permission" "live" {
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.hook.function_name
  principal      = "lex.amazonaws.com" # expect: E9561 "lex.amazonaws.com"
  source_account = data.aws_caller_identity.current.account_id
  source_arn     = awscc_lex_bot_alias.live.arn
}

resource "aws_lambda_permission" "any_lex" {
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.hook.function_name
  principal      = "lex.amazonaws.com" # expect: E9561 "lex.amazonaws.com"
  source_account = data.aws_caller_identity.current.account_id
}
