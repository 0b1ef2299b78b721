public class Startup
{
    public void Configure(IApplicationBuilder app)
    {
        app.UseCors("web");
        app.UseRouting();
        app.UseEndpoints(e => e.MapControllers());
    }
}
