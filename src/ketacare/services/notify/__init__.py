"""E-mail: notifications queued with the event and the SMTP mailer that sends them."""
