# The bot's role holds only what its features use; the caller policy goes to the application role
# that talks to the bot.
resource "aws_iam_role" "bot" {
  name = "order-bot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "voice_and_sentiment" {
  role = aws_iam_role.bot.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["polly:SynthesizeSpeech", "comprehend:DetectSentiment"], Resource = "*" }]
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

resource "aws_iam_role" "app" {
  name = "order-app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "app_runs_bots" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonLexRunBotsOnly"
}
