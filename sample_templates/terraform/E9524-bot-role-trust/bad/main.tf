# Bot roles whose trust policies do not let lexv2.amazonaws.com assume them (E9524).
resource "aws_iam_role" "legacy" {
  name = "legacy-bot"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lex.amazonaws.com" } # expect: E9524 "lex.amazonaws.com"
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_lexv2models_bot" "legacy" {
  name                        = "LegacyBot"
  role_arn                    = aws_iam_role.legacy.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"] # expect: E9524 "lambda.amazonaws.com"
    }
  }
}

resource "aws_iam_role" "shared" {
  name               = "shared-bot-role"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

resource "aws_lexv2models_bot" "order" {
  name                        = "OrderBot"
  role_arn                    = aws_iam_role.shared.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}
