print("pouw")
