# The Lex V2 bots service-linked role declared as such, and an ordinary role that is merely called
# lex_service_linked_role (a normal path and name: not a service-linked role).
resource "aws_iam_service_linked_role" "bot" {
  aws_service_name = "lexv2.amazonaws.com"
  custom_suffix    = "OrderBot"
  description      = "Service-linked role of OrderBot"
}

resource "aws_iam_role" "lex_service_linked_role" {
  name = "order-bot-lex-service-linked-role"
  path = "/service-role/"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = aws_iam_service_linked_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

resource "aws_lexv2models_bot" "support" {
  name                        = "SupportBot"
  role_arn                    = aws_iam_role.lex_service_linked_role.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}
