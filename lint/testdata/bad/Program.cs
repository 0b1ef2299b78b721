var builder = WebApplication.CreateBuilder(args);
builder.Services.AddCors(o => o.AddDefaultPolicy(p => p.AllowAnyOrigin().AllowCredentials()));
var app = builder.Build();
app.UseRouting();
app.UseAuthorization();
app.UseCors();
app.Run();
