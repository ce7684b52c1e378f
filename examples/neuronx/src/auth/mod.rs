pub fn login() {}
