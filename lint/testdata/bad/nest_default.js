const { NestFactory } = require('@nestjs/core');
const { AppModule } = require('./app.module');

NestFactory.create(AppModule, { cors: true }).then((app) => app.listen(3000));
