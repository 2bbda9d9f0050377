# The same bot with a role that allows what its features need (polly:* covers the voice); and a bot whose role has
# a managed policy the configuration only reads (a data source): what it grants is unknown, so nothing is reported.
resource "aws_iam_role" "bot" {
  name = "order-bot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "features" {
  role = aws_iam_role.bot.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["polly:*", "comprehend:DetectSentiment"], Resource = "*" },
      { Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "arn:aws:logs:us-east-1:111122223333:log-group:/lex/order-bot:*" },
      { Effect = "Allow", Action = "s3:PutObject", Resource = "${aws_s3_bucket.audio.arn}/*" },
      { Effect = "Allow", Action = "kms:GenerateDataKey", Resource = aws_kms_key.audio.arn },
    ]
  })
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
      voice_id = "Joanna"
    }
  }]
}

resource "awscc_lex_bot_alias" "live" {
  bot_id         = awscc_lex_bot.order.id
  bot_alias_name = "live"
  sentiment_analysis_settings = {
    detect_sentiment = true
  }
  conversation_log_settings = {
    text_log_settings = [{
      enabled = true
      destination = {
        cloudwatch = {
          cloudwatch_log_group_arn = "arn:aws:logs:us-east-1:111122223333:log-group:/lex/order-bot"
          log_prefix               = "live"
        }
      }
    }]
    audio_log_settings = [{
      enabled = true
      destination = {
        s3_bucket = {
          s3_bucket_arn = aws_s3_bucket.audio.arn
          kms_key_arn   = aws_kms_key.audio.arn
          log_prefix    = "live"
        }
      }
    }]
  }
}

data "aws_iam_policy" "shared" {
  name = "shared-bot-permissions"
}

resource "aws_iam_role" "support" {
  name = "support-bot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "support_shared" {
  role       = aws_iam_role.support.name
  policy_arn = data.aws_iam_policy.shared.arn
}

resource "awscc_lex_bot" "support" {
  name                        = "SupportBot"
  role_arn                    = aws_iam_role.support.arn
  idle_session_ttl_in_seconds = 300
  data_privacy = {
    child_directed = false
  }
  bot_locales = [{
    locale_id                = "en_US"
    nlu_confidence_threshold = 0.4
    voice_settings = {
      voice_id = "Matthew"
    }
  }]
}
