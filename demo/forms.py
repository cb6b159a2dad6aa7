from django import forms


class CheckoutForm(forms.Form):
    email = forms.EmailField(label="Email for the receipt")
    name = forms.CharField(max_length=100, label="Name on the parcel")
    address = forms.CharField(max_length=300, label="Delivery address", widget=forms.Textarea(attrs={"rows": 3}))
