fn main() {
    // Debug info lets UI tests find elements by accessible label (testing backend); it
    // adds element ids to the generated code, not to what is drawn.
    let config = slint_build::CompilerConfiguration::new().with_debug_info(true);
    slint_build::compile_with_config("ui/main.slint", config).expect("the kiosk's .slint files must compile");
}
