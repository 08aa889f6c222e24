module example.com/course/02-fail

go 1.25
