# Lex service-linked role declarations that IAM refuses (E9527).
resource "aws_iam_service_linked_role" "wrong_service_name" {
  aws_service_name = "lexv2" # expect: E9527 "lexv2"
}

resource "aws_iam_service_linked_role" "bad_suffix" {
  aws_service_name = "lexv2.amazonaws.com"
  custom_suffix    = "order bot!" # expect: E9527 "order bot!"
}

resource "aws_iam_service_linked_role" "v1_with_suffix" {
  aws_service_name = "lex.amazonaws.com"
  custom_suffix    = "orders" # expect: E9527 "orders"
}

resource "aws_iam_service_linked_role" "web_channels" {
  aws_service_name = "channels.lexv2.amazonaws.com"
  custom_suffix    = "web"
}

resource "aws_iam_service_linked_role" "web_channels_again" {
  aws_service_name = "channels.lexv2.amazonaws.com" # expect: E9527 "channels.lexv2.amazonaws.com"
  custom_suffix    = "web"
}
