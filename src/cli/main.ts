process.stdout.write('ucore: not built yet\n');
