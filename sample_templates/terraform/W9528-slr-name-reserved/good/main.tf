# A service role named the way the Lex console names one (AmazonLexServiceRole-..., under /service-role/),
# and the real service-linked role declared as such.
resource "aws_iam_role" "bot" {
  name = "AmazonLexServiceRole-orders"
  path = "/service-role/"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_service_linked_role" "channels" {
  aws_service_name = "channels.lexv2.amazonaws.com"
  custom_suffix    = "web"
}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = aws_iam_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}
