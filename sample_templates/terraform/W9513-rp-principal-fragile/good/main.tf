# A bot alias policy that names the role, not its sessions, and writes its exception as a condition.
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
        Sid       = "AllowTheRole"
        Effect    = "Allow"
        Principal = { AWS = aws_iam_role.caller.arn }
        Action    = "lex:RecognizeText"
        Resource  = awscc_lex_bot_alias.live.arn
      },
      {
        Sid       = "DenyAllButTheCaller"
        Effect    = "Deny"
        Principal = "*"
        Action    = "lex:UpdateBotAlias"
        Resource  = awscc_lex_bot_alias.live.arn
        Condition = { ArnNotEquals = { "aws:PrincipalArn" = aws_iam_role.caller.arn } }
      }
    ]
  })
}
