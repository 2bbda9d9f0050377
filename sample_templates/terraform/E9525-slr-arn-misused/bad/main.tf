# Lex service-linked roles used as a Lambda execution role and as a code hook (E9525).
resource "aws_iam_service_linked_role" "bot" {
  aws_service_name = "lexv2.amazonaws.com"
  custom_suffix    = "OrderBot"
}

resource "aws_lambda_function" "fulfillment" {
  function_name = "order-fulfillment"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fulfillment.zip"
  role          = aws_iam_service_linked_role.bot.arn # expect: E9525 aws_iam_service_linked_role.bot.arn
}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = aws_iam_service_linked_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

resource "awscc_lex_bot_alias" "live" {
  bot_id         = aws_lexv2models_bot.order.id
  bot_alias_name = "live"
  bot_alias_locale_settings = [{
    locale_id = "en_US"
    bot_alias_locale_setting = {
      enabled = true
      code_hook_specification = {
        lambda_code_hook = {
          code_hook_interface_version = "1.0"
          lambda_arn                  = aws_iam_service_linked_role.bot.arn # expect: E9525 aws_iam_service_linked_role.bot.arn
        }
      }
    }
  }]
}
