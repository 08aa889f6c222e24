module example.com/spawning/04-ownership

go 1.25

require example.com/spawning/miniredis v0.0.0

replace example.com/spawning/miniredis => ../miniredis
