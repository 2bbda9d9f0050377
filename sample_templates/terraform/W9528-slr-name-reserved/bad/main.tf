# Ordinary IAM roles named like Lex service-linked roles (W9528): IAM creates them, but they pose as the
# service-linked roles and can take the names Lex needs.
resource "aws_iam_role" "bot" {
  name = "AWSServiceRoleForLexV2Bots_OrderBot" # expect: W9528 "AWSServiceRoleForLexV2Bots_OrderBot"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role" "channels" {
  name = "AWSServiceRoleForLexV2Channels_web" # expect: W9528 "AWSServiceRoleForLexV2Channels_web"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "channels.lexv2.amazonaws.com" }, Action = "sts:AssumeRole" }]
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
