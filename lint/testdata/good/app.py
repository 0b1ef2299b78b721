import re
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://app.example.com", re.compile(r"https://[a-z]+\.example\.com$")], supports_credentials=True)
