require 'rack/cors'
use Rack::Cors do
  allow do
    origins '*', 'https://app.example.com/'
    resource '*', headers: :any, methods: [:get, :post], credentials: true
  end
end
run ->(env) { [200, {}, ['ok']] }
