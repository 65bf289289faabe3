from django.shortcuts import render


def call_home(request):
    return render(request, "ami/call_home.html", {})
