const express = require('express');
const cors = require('cors');
const app = express();

app.use(cors({
  origin: true,
  credentials: true,
}));

app.get('/me', (req, res) => {
  res.header('Access-Control-Allow-Origin', req.headers.origin);
  res.json({user: 'alice'});
});
