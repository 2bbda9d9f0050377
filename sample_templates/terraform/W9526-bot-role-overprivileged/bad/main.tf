# A bot's service role given caller permissions (W9526).
resource "aws_iam_role" "bot" {
  name = "order-bot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "full_access" {
  role       = aws_iam_role.bot.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonLexFullAccess" # expect: W9526 "arn:aws:iam::aws:policy/AmazonLexFullAccess"
}

resource "aws_iam_role_policy" "everything" {
  role = aws_iam_role.bot.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["polly:SynthesizeSpeech", "lex:*"], Resource = "*" }, # expect: W9526 "lex:*"
      { Effect = "Allow", Action = "iam:PassRole", Resource = "*" },                       # expect: W9526 "iam:PassRole"
    ]
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
