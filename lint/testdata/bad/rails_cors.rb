Rails.application.config.middleware.insert_before ActionDispatch::Static, Rack::Cors do
  allow do
    origins 'https://app.example.com'
    resource '*', headers: :any, methods: :any
  end
end
