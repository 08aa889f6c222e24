module example.com/course/04-hang

go 1.25
