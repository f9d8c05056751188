fn main() {
    slint_build::compile("ui/main.slint").expect("the kiosk's .slint files must compile");
}
