import re
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True)

admin = Flask("admin")
CORS(admin, origins=[re.compile(r"https://admin.example.com")], supports_credentials=True)
