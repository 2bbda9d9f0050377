# Every code hook has a permission that covers it - the live alias by its ARN, the test alias by TSTALIASID, the
# staging alias's qualified function by the same qualifier - and a hook whose function comes from a variable is
# outside the scan (nothing to judge).
variable "external_hook_arn" {
  type = string
}

resource "aws_iam_role" "bot" {
  name = "order-bot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role" "hook" {
  name = "order-hook"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lambda_function" "fulfillment" {
  function_name = "order-fulfillment"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "hook.zip"
  role          = aws_iam_role.hook.arn
}

resource "awscc_lex_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = aws_iam_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy = {
    child_directed = false
  }
  test_bot_alias_settings = {
    bot_alias_locale_settings = [{
      locale_id = "en_US"
      bot_alias_locale_setting = {
        enabled = true
        code_hook_specification = {
          lambda_code_hook = {
            code_hook_interface_version = "1.0"
            lambda_arn                  = aws_lambda_function.fulfillment.arn
          }
        }
      }
    }]
  }
}

resource "awscc_lex_bot_alias" "live" {
  bot_id         = awscc_lex_bot.order.id
  bot_alias_name = "live"
  bot_alias_locale_settings = [
    {
      locale_id = "en_US"
      bot_alias_locale_setting = {
        enabled = true
        code_hook_specification = {
          lambda_code_hook = {
            code_hook_interface_version = "1.0"
            lambda_arn                  = aws_lambda_function.fulfillment.arn
          }
        }
      }
    },
    {
      locale_id = "fr_FR"
      bot_alias_locale_setting = {
        enabled = true
        code_hook_specification = {
          lambda_code_hook = {
            code_hook_interface_version = "1.0"
            lambda_arn                  = var.external_hook_arn
          }
        }
      }
    }
  ]
}

resource "awscc_lex_bot_alias" "staging" {
  bot_id         = awscc_lex_bot.order.id
  bot_alias_name = "staging"
  bot_alias_locale_settings = [{
    locale_id = "en_US"
    bot_alias_locale_setting = {
      enabled = true
      code_hook_specification = {
        lambda_code_hook = {
          code_hook_interface_version = "1.0"
          lambda_arn                  = "${aws_lambda_function.fulfillment.arn}:staging"
        }
      }
    }
  }]
}

resource "aws_lambda_permission" "live" {
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.fulfillment.function_name
  principal      = "lexv2.amazonaws.com"
  source_account = "111122223333"
  source_arn     = awscc_lex_bot_alias.live.arn
}

resource "aws_lambda_permission" "test_alias" {
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.fulfillment.arn
  principal      = "lexv2.amazonaws.com"
  source_account = "111122223333"
  source_arn     = "arn:aws:lex:us-east-1:111122223333:bot-alias/${awscc_lex_bot.order.id}/TSTALIASID"
}

resource "aws_lambda_permission" "staging" {
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.fulfillment.function_name
  qualifier      = "staging"
  principal      = "lexv2.amazonaws.com"
  source_account = "111122223333"
  source_arn     = awscc_lex_bot_alias.staging.arn
}
