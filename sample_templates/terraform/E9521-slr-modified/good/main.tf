# Extra permissions go to the bot's own service role, not to a service-linked role. The role called
# lex_service_linked_role is an ordinary role.
resource "aws_iam_role" "lex_service_linked_role" {
  name = "order-bot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = aws_iam_role.lex_service_linked_role.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

resource "aws_iam_role_policy" "bot_polly" {
  role = aws_iam_role.lex_service_linked_role.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "polly:SynthesizeSpeech", Resource = "*" }]
  })
}
