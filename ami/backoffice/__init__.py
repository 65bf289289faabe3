"""The MEL team's back-office of the AMI (menus, views and their rules), registered by ami.wagtail_hooks."""
