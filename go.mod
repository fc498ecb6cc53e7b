module happens

go 1.26.8
