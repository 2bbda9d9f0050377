# The same bot on a service role of its own that may call kendra:Query on the index.
variable "kendra_index_arn" {
  type = string
}

resource "aws_iam_role" "bot" {
  name = "faq-bot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "kendra" {
  role = aws_iam_role.bot.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "kendra:Query", Resource = var.kendra_index_arn }]
  })
}

resource "aws_lexv2models_bot" "faq" {
  name                        = "FaqBot"
  role_arn                    = aws_iam_role.bot.arn
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
  kendra_configuration {
    kendra_index = var.kendra_index_arn
  }
}
