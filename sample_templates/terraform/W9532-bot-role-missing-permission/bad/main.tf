# A bot whose role lacks what its features need (W9532): Polly for the locale's voice, Comprehend for the alias's
# sentiment analysis, CloudWatch Logs for its text logs, S3 and KMS for its encrypted audio logs. The managed policy
# its role has is known to lexiam (rules/data/managed_policies.json): it grants none of these (and is a caller
# policy, W9526).
resource "aws_iam_role" "bot" {
  name = "order-bot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "bot_runs_bots" {
  role       = aws_iam_role.bot.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonLexRunBotsOnly" # expect: W9526 "arn:aws:iam::aws:policy/AmazonLexRunBotsOnly"
}

resource "aws_s3_bucket" "audio" {
  bucket = "order-bot-audio"
}

resource "aws_kms_key" "audio" {
  description = "order bot audio logs"
}

resource "awscc_lex_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = aws_iam_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy = {
    child_directed = false
  }
  bot_locales = [{
    locale_id                = "en_US"
    nlu_confidence_threshold = 0.4
    voice_settings = {
      voice_id = "Joanna" # expect: W9532 "Joanna"
    }
  }]
}

resource "awscc_lex_bot_alias" "live" {
  bot_id         = awscc_lex_bot.order.id
  bot_alias_name = "live"
  sentiment_analysis_settings = {
    detect_sentiment = true # expect: W9532 true
  }
  conversation_log_settings = {
    text_log_settings = [{
      enabled = true
      destination = {
        cloudwatch = {
          cloudwatch_log_group_arn = "arn:aws:logs:us-east-1:111122223333:log-group:/lex/order-bot" # expect: W9532 "arn:aws:logs:us-east-1:111122223333:log-group:/lex/order-bot"
          log_prefix               = "live"
        }
      }
    }]
    audio_log_settings = [{
      enabled = true
      destination = {
        s3_bucket = {
          s3_bucket_arn = aws_s3_bucket.audio.arn # expect: W9532 aws_s3_bucket.audio.arn
          kms_key_arn   = aws_kms_key.audio.arn   # expect: W9532 aws_kms_key.audio.arn
          log_prefix    = "live"
        }
      }
    }]
  }
}
