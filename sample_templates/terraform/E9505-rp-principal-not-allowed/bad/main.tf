# Principals a bot alias policy cannot name - an IAM group, a malformed principal, a CanonicalUser (E9505).
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

resource "aws_iam_role" "bot" {
  name = "order-bot"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lexv2.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "bot_polly" {
  role = aws_iam_role.bot.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "polly:SynthesizeSpeech", Resource = "*" }]
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

resource "aws_iam_role" "caller" {
  name = "bot-caller"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}


resource "awscc_lex_resource_policy" "alias" {
  resource_arn = awscc_lex_bot_alias.live.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowDevelopers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:group/developers" } # expect: E9505 "arn:
        Action    = "lex:RecognizeText"
        Resource  = awscc_lex_bot_alias.live.arn
      },
      {
        Sid       = "AllowTypo"
        Effect    = "Allow"
        Principal = { AWS = "caller-role" } # expect: E9505 "caller-role"
        Action    = "lex:RecognizeText"
        Resource  = awscc_lex_bot_alias.live.arn
      },
      {
        Sid       = "AllowCanonical"
        Effect    = "Allow"
        Principal = { CanonicalUser = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" } # expect: E9505 "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
        Action    = "lex:RecognizeText"
        Resource  = awscc_lex_bot_alias.live.arn
      }
    ]
  })
}
