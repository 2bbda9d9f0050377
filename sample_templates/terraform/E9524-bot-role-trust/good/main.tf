# Bot roles that trust lexv2.amazonaws.com (alone, or beside another principal).
data "aws_caller_identity" "current" {}

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

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = aws_iam_role.bot.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

data "aws_iam_policy_document" "shared_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com", "lexv2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "shared" {
  name               = "shared-bot-role"
  assume_role_policy = data.aws_iam_policy_document.shared_trust.json
}

resource "aws_lexv2models_bot" "support" {
  name                        = "SupportBot"
  role_arn                    = aws_iam_role.shared.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}
