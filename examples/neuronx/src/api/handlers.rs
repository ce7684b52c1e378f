pub fn handle() {}
