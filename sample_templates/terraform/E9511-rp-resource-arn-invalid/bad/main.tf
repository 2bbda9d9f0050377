# Bot alias policies attached to ARNs that name no Lex V2 alias - the V1 form, a bot name, a missing segment (E9511).
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


resource "awscc_lex_resource_policy" "v1_form" {
  resource_arn = "arn:aws:lex:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:bot:OrderBot:live" # expect: E9511 "arn:
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { AWS = aws_iam_role.caller.arn }, Action = "lex:RecognizeText" }
    ]
  })
}

resource "awscc_lex_resource_policy" "bot_name" {
  resource_arn = "arn:aws:lex:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:bot-alias/${aws_lexv2models_bot.order.name}/TSTALIASID" # expect: E9511 "arn:
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { AWS = aws_iam_role.caller.arn }, Action = "lex:RecognizeText" }
    ]
  })
}

resource "awscc_lex_resource_policy" "missing_alias" {
  resource_arn = "arn:aws:lex:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:bot-alias/${aws_lexv2models_bot.order.id}" # expect: E9511 "arn:
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { AWS = aws_iam_role.caller.arn }, Action = "lex:RecognizeText" }
    ]
  })
}
