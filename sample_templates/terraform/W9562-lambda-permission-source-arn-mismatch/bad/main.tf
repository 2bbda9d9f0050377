# Lambda permissions for Lex V2 whose source_arn can never match the bot alias ARN Lex sends (W9562).
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

resource "aws_lambda_permission" "bot_arn" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  principal     = "lexv2.amazonaws.com"
  source_arn    = aws_lexv2models_bot.order.arn # expect: W9562 aws_lexv2models_bot.order.arn
}

resource "aws_lambda_permission" "bot_subpath" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  principal     = "lexv2.amazonaws.com"
  source_arn    = "${aws_lexv2models_bot.order.arn}/*" # expect: W9562 "${aws_lexv2models_bot.order.arn}/*"
}

resource "aws_lambda_permission" "alias_suffix" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  principal     = "lexv2.amazonaws.com"
  source_arn    = "${aws_lexv2models_bot.order.arn}-alias/*" # expect: W9562 "${aws_lexv2models_bot.order.arn}-alias/*"
}

resource "aws_lambda_permission" "bot_name" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  principal     = "lexv2.amazonaws.com"
  source_arn    = "arn:aws:lex:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:bot-alias/${aws_lexv2models_bot.order.name}/*" # expect: W9562 "arn:aws:lex:
}

resource "aws_lambda_permission" "placeholder" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  principal     = "lexv2.amazonaws.com"
  source_arn    = "arn:aws:lex:us-east-1:<account-id>:bot-alias/DQPPTSKBG3/TSTALIASID" # expect: W9562 "arn:aws:lex:us-east-1:<account-id>:bot-alias/DQPPTSKBG3/TSTALIASID"
}

resource "aws_lambda_permission" "alias_subpath" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  principal     = "lexv2.amazonaws.com"
  source_arn    = "${awscc_lex_bot_alias.live.arn}/*" # expect: W9562 "${awscc_lex_bot_alias.live.arn}/*"
}

resource "aws_lambda_permission" "literal_subpath" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.hook.function_name
  principal     = "lexv2.amazonaws.com"
  source_arn    = "arn:aws:lex:us-east-1:111122223333:bot-alias/ABCDEFGHIJ/KLMNOPQRST/*" # expect: W9562 "arn:aws:lex:us-east-1:111122223333:bot-alias/ABCDEFGHIJ/KLMNOPQRST/*"
}
