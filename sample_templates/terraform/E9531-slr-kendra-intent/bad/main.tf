# A bot that runs on the Lex V2 service-linked role and searches an Amazon Kendra index (E9531): outside the
# console, the service-linked role cannot be given kendra:Query.
variable "kendra_index_arn" {
  type = string
}

resource "aws_iam_service_linked_role" "bot" {
  aws_service_name = "lexv2.amazonaws.com"
  custom_suffix    = "FaqBot"
}

resource "aws_lexv2models_bot" "faq" {
  name                        = "FaqBot"
  role_arn                    = aws_iam_service_linked_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

resource "aws_lexv2models_intent" "search" {
  bot_id                  = aws_lexv2models_bot.faq.id
  bot_version             = "DRAFT"
  locale_id               = "en_US"
  name                    = "SearchFaq"
  parent_intent_signature = "AMAZON.KendraSearchIntent"
  kendra_configuration { # expect: E9531 kendra_configuration
    kendra_index = var.kendra_index_arn
  }
}
