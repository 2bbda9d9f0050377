# Lex V1 resources, which reached end of support on 2025-09-15, and what serves only them (I9545).
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_lex_intent" "order_flowers" { # expect: I9545 resource "aws_lex_intent"
  name = "OrderFlowers"
  fulfillment_activity {
    type = "ReturnIntent"
  }
}

resource "aws_lex_bot" "order_flowers" { # expect: I9545 resource "aws_lex_bot"
  name             = "OrderFlowers"
  child_directed   = false
  process_behavior = "BUILD"
  abort_statement {
    message {
      content      = "Sorry, I cannot help you."
      content_type = "PlainText"
    }
  }
  intent {
    intent_name    = aws_lex_intent.order_flowers.name
    intent_version = "$LATEST"
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

resource "aws_lambda_permission" "lex_v1" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  principal     = "lex.amazonaws.com" # expect: I9545 "lex.amazonaws.com"
  source_arn    = "arn:aws:lex:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:intent:OrderFlowers:*"
}

resource "aws_iam_policy" "caller" {
  name = "talk-to-order-flowers"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["lex:PostText", "lex:PostContent"] # expect: I9545 "lex:PostText"
      Resource = "arn:aws:lex:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:bot:OrderFlowers:*"
    }]
  })
}
