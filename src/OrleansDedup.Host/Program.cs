using OrleansDedup.Host.Hosting;

return await SiloHost.RunAsync(args);
