# A Lambda permission that lets any Lex V2 bot in any account invoke the code hook (W9560).
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

resource "aws_lambda_permission" "lex" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  principal     = "lexv2.amazonaws.com" # expect: W9560 "lexv2.amazonaws.com"
}

resource "aws_lambda_permission" "lex_v1" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  principal     = "lex.amazonaws.com" # expect: W9560 "lex.amazonaws.com"; I9545 "lex.amazonaws.com"
}
