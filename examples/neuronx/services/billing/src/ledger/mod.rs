pub fn post() {}
