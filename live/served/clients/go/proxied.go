package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

// proxied is a connector as it would ship: the default cloud
// (login.microsoftonline.com, instance discovery on), the Graph SDK's
// default hosts and base URL (graph.microsoft.com), configured only by the
// environment. HTTPS_PROXY and SSL_CERT_FILE take it to the fakes.
func proxied() int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tenant, clientID, secret, userID := os.Getenv("AZURE_TENANT_ID"), os.Getenv("AZURE_CLIENT_ID"), os.Getenv("AZURE_CLIENT_SECRET"), os.Getenv("PRESENCE_USER_ID")
	cred, err := azidentity.NewClientSecretCredential(tenant, clientID, secret, nil)
	if err != nil {
		fmt.Println("FAIL  credential:", err)
		return 1
	}
	client, err := msgraphsdk.NewGraphServiceClientWithCredentials(cred, nil)
	if err != nil {
		fmt.Println("FAIL  Graph client:", err)
		return 1
	}
	presence := client.Users().ByUserId(userID).Presence()

	body := users.NewItemPresenceSetPresencePostRequestBody()
	availability, activity := "DoNotDisturb", "Presenting"
	body.SetSessionId(&clientID)
	body.SetAvailability(&availability)
	body.SetActivity(&activity)
	body.SetExpirationDuration(serialization.NewDuration(0, 0, 0, 0, 5, 0, 0))
	if err := presence.SetPresence().Post(ctx, body, nil); err != nil {
		fmt.Println("FAIL  setPresence through graph.microsoft.com:", describe(err))
		return 1
	}
	p, err := presence.Get(ctx, nil)
	if err != nil || str(p.GetAvailability()) != availability || str(p.GetActivity()) != activity {
		fmt.Printf("FAIL  read presence through graph.microsoft.com: %v\n", describe(err))
		return 1
	}
	fmt.Printf("ok    token from login.microsoftonline.com, setPresence and read %s/%s at graph.microsoft.com\n", availability, activity)
	clear := users.NewItemPresenceClearPresencePostRequestBody()
	clear.SetSessionId(&clientID)
	if err := presence.ClearPresence().Post(ctx, clear, nil); err != nil {
		fmt.Println("FAIL  clearPresence:", describe(err))
		return 1
	}
	return 0
}
