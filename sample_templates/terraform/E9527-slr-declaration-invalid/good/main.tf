# Lex service-linked roles declared with exact service names and valid suffixes.
variable "create_replication_role" {
  type    = bool
  default = false
}

resource "aws_iam_service_linked_role" "order_bot" {
  aws_service_name = "lexv2.amazonaws.com"
  custom_suffix    = "OrderBot"
}

resource "aws_iam_service_linked_role" "support_bot" {
  aws_service_name = "lexv2.amazonaws.com"
  custom_suffix    = "Support.Bot_2024"
}

resource "aws_iam_service_linked_role" "web_channels" {
  aws_service_name = "channels.lexv2.amazonaws.com"
  custom_suffix    = "web"
}

resource "aws_iam_service_linked_role" "replication" {
  count            = var.create_replication_role ? 1 : 0
  aws_service_name = "replication.lexv2.amazonaws.com"
}

resource "aws_iam_service_linked_role" "connect" {
  aws_service_name = "connect.amazonaws.com"
}
