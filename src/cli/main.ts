process.stdout.write('ucore: being rebuilt\n');
